/*
 * The painter against a terminal: what it writes is fed to a small emulator
 * of the xterm subset it may use (cursor addressing, HPA, CR LF, EL, ED,
 * scroll regions with SU/SD or IND/RI, SGR with 8/16/256/direct colours,
 * deferred wrap at the right margin), and the emulated screen must look
 * like every frame: the same characters in the same styles, blanks allowed
 * to be erased cells where the style shows nothing on a blank, and no
 * scroll region left set.  Anything outside that subset (another control,
 * an unknown sequence) fails.
 *
 * The frames are a reviewer's session: a long document scrolled by lines,
 * pages and jumps under a fixed title and a status line, a cursor line,
 * styled runs, wide characters, and a few edits in place.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/sanitize.h"
#include "gatehouse/ui/screen.h"
#include "gatehouse/ui/theme.h"
#include "tap.h"

#include "../../src/term/paint.h"

/* ---- the emulator ------------------------------------------------------- */

struct vcell {
	char ch[GTH_CELL_BYTES];
	int len;
	bool cont;		/* right half of a wide character */
	struct gth_pen pen;
};

struct vt {
	int rows, cols;
	struct vcell *c;
	int cy, cx, top, bot;
	bool pending;		/* at the right margin, the next character wraps */
	bool visible;		/* the cursor is shown */
	bool su_sd;		/* CSI S and CSI T are allowed (the painter was told so) */
	struct gth_pen pen;
	char error[200];
};

static void
vt_blank(struct vt *t, struct vcell *c)
{
	memset(c, 0, sizeof(*c));
	c->ch[0] = ' ';
	c->len = 1;
	/* An erased cell takes the background (xterm's back-colour erase), nothing else. */
	strcpy(c->pen.bg, t->pen.bg);
}

static void
vt_init(struct vt *t, int rows, int cols)
{
	memset(t, 0, sizeof(*t));
	t->rows = rows;
	t->cols = cols;
	t->c = calloc((size_t)rows * (size_t)cols, sizeof(*t->c));
	for (int i = 0; i < rows * cols; i++)
		vt_blank(t, &t->c[i]);
	t->bot = rows - 1;
	t->visible = true;
	t->su_sd = true;
}

/* The window changes size: what was on it stays where it fits. */
static void
vt_resize(struct vt *t, int rows, int cols)
{
	struct vt n;

	vt_init(&n, rows, cols);
	for (int y = 0; y < rows && y < t->rows; y++)
		for (int x = 0; x < cols && x < t->cols; x++)
			n.c[(size_t)y * (size_t)cols + (size_t)x] =
			    t->c[(size_t)y * (size_t)t->cols + (size_t)x];
	n.su_sd = t->su_sd;
	free(t->c);
	*t = n;
}

static struct vcell *
at(struct vt *t, int y, int x)
{
	return &t->c[(size_t)y * (size_t)t->cols + (size_t)x];
}

/* Rows top..bot move up by n (n < 0: down); what comes in is erased. */
static void
vt_scroll(struct vt *t, int top, int bot, int n)
{
	for (int k = 0; k < (n > 0 ? n : -n); k++) {
		if (n > 0) {
			for (int y = top; y < bot; y++)
				memcpy(at(t, y, 0), at(t, y + 1, 0), sizeof(struct vcell) * (size_t)t->cols);
			for (int x = 0; x < t->cols; x++)
				vt_blank(t, at(t, bot, x));
		} else {
			for (int y = bot; y > top; y--)
				memcpy(at(t, y, 0), at(t, y - 1, 0), sizeof(struct vcell) * (size_t)t->cols);
			for (int x = 0; x < t->cols; x++)
				vt_blank(t, at(t, top, x));
		}
	}
}

static void
vt_lf(struct vt *t)
{
	t->pending = false;
	if (t->cy == t->bot)
		vt_scroll(t, t->top, t->bot, 1);
	else if (t->cy < t->rows - 1)
		t->cy++;
}

static void
fail(struct vt *t, const char *what, int c)
{
	if (t->error[0] == '\0')
		snprintf(t->error, sizeof(t->error), "%s (0x%02x) at row %d col %d", what, c, t->cy,
		    t->cx);
}

static void
sgr_attr(struct gth_pen *p, unsigned bit, bool on)
{
	if (on)
		p->attrs |= bit;
	else
		p->attrs &= ~bit;
}

/* One SGR: params as the painter's colour strings are spelt. */
static void
vt_sgr(struct vt *t, int *v, int n)
{
	if (n == 0) {
		memset(&t->pen, 0, sizeof(t->pen));
		return;
	}
	for (int i = 0; i < n; i++) {
		int p = v[i];

		if (p == 0)
			memset(&t->pen, 0, sizeof(t->pen));
		else if (p == 1)
			sgr_attr(&t->pen, GTH_ATTR_BOLD, true);
		else if (p == 2)
			sgr_attr(&t->pen, GTH_ATTR_DIM, true);
		else if (p == 3)
			sgr_attr(&t->pen, GTH_ATTR_ITALIC, true);
		else if (p == 4)
			sgr_attr(&t->pen, GTH_ATTR_UNDERLINE, true);
		else if (p == 5)
			sgr_attr(&t->pen, GTH_ATTR_BLINK, true);
		else if (p == 7)
			sgr_attr(&t->pen, GTH_ATTR_REVERSE, true);
		else if (p == 22)
			t->pen.attrs &= ~(unsigned)(GTH_ATTR_BOLD | GTH_ATTR_DIM);
		else if (p == 23)
			sgr_attr(&t->pen, GTH_ATTR_ITALIC, false);
		else if (p == 24)
			sgr_attr(&t->pen, GTH_ATTR_UNDERLINE, false);
		else if (p == 25)
			sgr_attr(&t->pen, GTH_ATTR_BLINK, false);
		else if (p == 27)
			sgr_attr(&t->pen, GTH_ATTR_REVERSE, false);
		else if ((p >= 30 && p <= 37) || (p >= 90 && p <= 97))
			snprintf(t->pen.fg, sizeof(t->pen.fg), "%d", p);
		else if ((p >= 40 && p <= 47) || (p >= 100 && p <= 107))
			snprintf(t->pen.bg, sizeof(t->pen.bg), "%d", p);
		else if (p == 39)
			t->pen.fg[0] = '\0';
		else if (p == 49)
			t->pen.bg[0] = '\0';
		else if ((p == 38 || p == 48) && i + 2 < n && v[i + 1] == 5) {
			snprintf(p == 38 ? t->pen.fg : t->pen.bg, 20, "%d;5;%d", p, v[i + 2]);
			i += 2;
		} else if ((p == 38 || p == 48) && i + 4 < n && v[i + 1] == 2) {
			snprintf(p == 38 ? t->pen.fg : t->pen.bg, 20, "%d;2;%d;%d;%d", p, v[i + 2],
			    v[i + 3], v[i + 4]);
			i += 4;
		} else {
			fail(t, "an SGR parameter outside the subset", p);
		}
	}
}

static size_t
vt_csi(struct vt *t, const char *s, size_t n)
{
	int v[16], nv = 0, cur = -1;
	bool private = false;
	size_t i = 0;

	if (i < n && s[i] == '?') {
		private = true;
		i++;
	}
	for (; i < n; i++) {
		char ch = s[i];

		if (ch >= '0' && ch <= '9') {
			cur = (cur < 0 ? 0 : cur * 10) + (ch - '0');
		} else if (ch == ';') {
			if (nv < 16)
				v[nv++] = cur < 0 ? 0 : cur;
			cur = -1;
		} else {
			int a, b;

			if (cur >= 0 && nv < 16)
				v[nv++] = cur;
			a = nv > 0 && v[0] > 0 ? v[0] : 1;
			b = nv > 1 && v[1] > 0 ? v[1] : 1;
			if (private) {
				if ((ch != 'h' && ch != 'l') || nv != 1 || v[0] != 25)
					fail(t, "a private mode outside the subset", ch);
				t->visible = ch == 'h';
			} else if (ch == 'H') {
				if (a > t->rows || b > t->cols)
					fail(t, "a cursor address off the screen", ch);
				t->cy = (a > t->rows ? t->rows : a) - 1;
				t->cx = (b > t->cols ? t->cols : b) - 1;
				t->pending = false;
			} else if (ch == 'G') {
				if (a > t->cols)
					fail(t, "a column off the screen", ch);
				t->cx = (a > t->cols ? t->cols : a) - 1;
				t->pending = false;
			} else if (ch == 'K' && nv == 0) {
				for (int x = t->cx; x < t->cols; x++)
					vt_blank(t, at(t, t->cy, x));
				t->pending = false;
			} else if (ch == 'J' && nv == 1 && v[0] == 2) {
				for (int k = 0; k < t->rows * t->cols; k++)
					vt_blank(t, &t->c[k]);
			} else if (ch == 'r') {
				t->top = nv > 0 ? a - 1 : 0;
				t->bot = nv > 1 ? b - 1 : t->rows - 1;
				if (t->top >= t->bot || t->bot >= t->rows)
					fail(t, "a bad scroll region", ch);
				t->cy = t->cx = 0;
				t->pending = false;
			} else if (ch == 'S' || ch == 'T') {
				if (!t->su_sd)
					fail(t, "SU/SD on a terminal said to lack them", ch);
				vt_scroll(t, t->top, t->bot, ch == 'S' ? a : -a);
			} else if (ch == 'm') {
				vt_sgr(t, v, nv);
			} else {
				fail(t, "a CSI sequence outside the subset", ch);
			}
			return i + 1;
		}
	}
	fail(t, "an unfinished CSI sequence", 0);
	return n;
}

static void
vt_print(struct vt *t, const char *s, size_t k, uint32_t cp)
{
	int w = gth_cp_width(cp);
	struct vcell *c;

	if (w == 0) {
		fail(t, "a zero-width character on its own", (int)cp);
		return;
	}
	if (t->pending) {
		t->cx = 0;
		vt_lf(t);
	}
	if (t->cx + w > t->cols) {
		fail(t, "a wide character at the right margin", (int)cp);
		return;
	}
	/* As xterm does: writing over half of a wide character blanks its other half. */
	for (int i = t->cx; i < t->cx + w; i++) {
		if (at(t, t->cy, i)->cont && i > 0)
			vt_blank(t, at(t, t->cy, i - 1));
		if (i + 1 < t->cols && at(t, t->cy, i + 1)->cont && i + 1 >= t->cx + w)
			vt_blank(t, at(t, t->cy, i + 1));
	}
	c = at(t, t->cy, t->cx);
	memset(c, 0, sizeof(*c));
	memcpy(c->ch, s, k);
	c->len = (int)k;
	c->pen = t->pen;
	if (w == 2) {
		c = at(t, t->cy, t->cx + 1);
		memset(c, 0, sizeof(*c));
		c->cont = true;
		c->pen = t->pen;
	}
	t->cx += w;
	if (t->cx >= t->cols) {
		t->cx = t->cols - 1;
		t->pending = true;
	}
}

static void
vt_feed(struct vt *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\033') {
			if (i + 1 >= n) {
				fail(t, "a lone ESC", ch);
				return;
			}
			if (s[i + 1] == '[') {
				i += 2 + vt_csi(t, s + i + 2, n - i - 2);
			} else if (s[i + 1] == 'D') {
				vt_lf(t);
				i += 2;
			} else if (s[i + 1] == 'M') {
				t->pending = false;
				if (t->cy == t->top)
					vt_scroll(t, t->top, t->bot, -1);
				else if (t->cy > 0)
					t->cy--;
				i += 2;
			} else {
				fail(t, "an escape outside the subset", s[i + 1]);
				return;
			}
		} else if (ch == '\r') {
			t->cx = 0;
			t->pending = false;
			i++;
		} else if (ch == '\n') {
			vt_lf(t);
			i++;
		} else if (ch < 0x20 || ch == 0x7f) {
			fail(t, "a control character", ch);
			i++;
		} else {
			uint32_t cp;
			int k = gth_utf8_decode(s + i, n - i, &cp);

			if (k <= 0) {
				fail(t, "invalid UTF-8", ch);
				return;
			}
			vt_print(t, s + i, (size_t)k, cp);
			i += (size_t)k;
		}
	}
}

/* ---- frames ----------------------------------------------------------------- */

#define N_PENS 8

static void
setup_pens(struct gth_paint *p, bool normal_bg)
{
	static const struct gth_pen base[N_PENS] = {
		{ 0, "", "" },
		{ 0, "31", "" },
		{ 0, "32", "" },
		{ GTH_ATTR_REVERSE, "31", "" },
		{ GTH_ATTR_BOLD, "33", "44" },
		{ GTH_ATTR_UNDERLINE, "38;5;208", "" },
		{ GTH_ATTR_DIM | GTH_ATTR_ITALIC, "38;2;10;20;30", "48;2;1;2;3" },
		{ GTH_ATTR_STANDOUT | GTH_ATTR_BLINK, "", "" },
	};

	for (int r = 0; r < GTH_ROLE__COUNT; r++) {
		for (int sel = 0; sel < 2; sel++) {
			struct gth_pen pen = base[r % N_PENS];

			/* A theme whose normal text has a background (high-contrast). */
			if (normal_bg && r % N_PENS == 0)
				strcpy(pen.bg, "100");
			if (sel)
				pen.attrs |= normal_bg ? GTH_ATTR_UNDERLINE : GTH_ATTR_REVERSE;
			gth_paint_set_pen(p, r, sel != 0, &pen);
		}
	}
}

static const char *const words[] = {
	"value", "=", "compute(a,", "beta)", "#", "n0", "漢字", "▶", "delta", "résumé", "x",
	"if", "return", "{", "}", "0123456789",
};

/* A line of the document: words in styled runs, deterministic from its number. */
static void
doc_line(struct gth_screen *s, int y, long n)
{
	unsigned v = (unsigned)n * 2654435761u + 12345u;
	int x = (int)(v % 5);

	for (int w = 0; w < 12 && x < s->cols; w++) {
		const char *word = words[(v >> (w % 16)) % (sizeof(words) / sizeof(words[0]))];
		int role = (int)((v >> (w + 3)) % N_PENS);

		if (n % 7 == 3)
			role = 4;	/* a line in a background colour, full width */
		x += gth_screen_puts(s, y, x, role, word, s->cols - x);
		if (x < s->cols)
			x += gth_screen_puts(s, y, x, n % 7 == 3 ? 4 : 0, " ", s->cols - x);
	}
	if (n % 7 == 3 && x < s->cols)
		gth_screen_fill(s, y, x, 4, s->cols - x);
}

static void
frame(struct gth_screen *s, long top, int cursor_row, int edit, bool show_cursor)
{
	char status[64];

	gth_screen_clear(s);
	gth_screen_puts(s, 0, 0, 4, " gatehouse  acme/big#1  Mass refactor", s->cols);
	for (int y = 1; y < s->rows - 1; y++)
		doc_line(s, y, top + y - 1);
	if (cursor_row > 0 && cursor_row < s->rows - 1)
		gth_screen_mark(s, cursor_row, 0, s->cols, GTH_CELL_SELECTED);
	if (edit > 0 && edit < s->rows - 1)
		gth_screen_puts(s, edit, s->cols / 3, 5, "edited", s->cols);
	snprintf(status, sizeof(status), "[pr] line %ld", top);
	gth_screen_puts(s, s->rows - 1, 0, 7, status, s->cols);
	s->cursor_y = show_cursor ? s->rows - 1 : -1;
	s->cursor_x = show_cursor ? 3 : -1;
}

/* What a cell shows: its text, or in ASCII the stand-ins ('?' for a wide character's right half). */
static void
shown_text(const struct gth_paint *p, const struct gth_cell *c, char *out, int *len)
{
	*len = 0;
	if (p->utf8 || c->width == 0) {
		memcpy(out, c->width == 0 ? "?" : c->ch, c->width == 0 ? 1 : c->len);
		*len = c->width == 0 ? 1 : c->len;
		return;
	}
	for (size_t i = 0; i < c->len;) {
		uint32_t cp;
		int k = gth_utf8_decode(c->ch + i, c->len - i, &cp);

		if (k <= 0)
			break;
		if (cp >= 0x80)
			cp = gth_paint_ascii_for(cp);
		if (cp != 0)
			out[(*len)++] = (char)cp;
		i += (size_t)k;
	}
	if (*len == 0)
		out[(*len)++] = ' ';
}

static bool
cell_matches(const struct gth_paint *p, const struct gth_cell *want, const struct vcell *got,
	char *why, size_t whylen)
{
	int role = want->role < GTH_ROLE__COUNT ? want->role : 0;
	const struct gth_pen *pen = &p->pens[role][(want->flags & GTH_CELL_SELECTED) != 0];
	bool blank = want->len == 1 && want->ch[0] == ' ';
	bool shows_nothing = pen->bg[0] == '\0' &&
	    !(pen->attrs & (GTH_ATTR_REVERSE | GTH_ATTR_STANDOUT | GTH_ATTR_UNDERLINE));
	unsigned want_attrs = pen->attrs & GTH_ATTR_STANDOUT ?
	    (pen->attrs & ~(unsigned)GTH_ATTR_STANDOUT) | GTH_ATTR_REVERSE : pen->attrs;
	char text[GTH_CELL_BYTES];
	int n;

	if (want->width == 0 && p->utf8)
		return got->cont;
	shown_text(p, want, text, &n);
	if (got->cont || got->len != n || memcmp(got->ch, text, (size_t)n) != 0) {
		snprintf(why, whylen, "'%.*s' where '%.*s' belongs", got->len, got->ch, n, text);
		return false;
	}
	if (blank && shows_nothing)
		return got->pen.bg[0] == '\0' &&
		    !(got->pen.attrs & (GTH_ATTR_REVERSE | GTH_ATTR_UNDERLINE));
	if (got->pen.attrs != want_attrs || strcmp(got->pen.fg, pen->fg) != 0 ||
	    strcmp(got->pen.bg, pen->bg) != 0) {
		snprintf(why, whylen, "'%.*s' in attrs %#x fg '%s' bg '%s', not %#x '%s' '%s'",
		    want->len, want->ch, got->pen.attrs, got->pen.fg, got->pen.bg, pen->attrs,
		    pen->fg, pen->bg);
		return false;
	}
	return true;
}

/* The first cell where the emulated terminal does not look like s; false if none. */
static bool
differs(const struct gth_paint *p, const struct gth_screen *s, struct vt *t, char *why,
	size_t whylen)
{
	if (t->error[0] != '\0') {
		snprintf(why, whylen, "%s", t->error);
		return true;
	}
	if (s->cursor_y >= 0 ? !t->visible || t->cy != s->cursor_y || t->cx != s->cursor_x :
	    t->visible) {
		snprintf(why, whylen, "the cursor is %s at %d,%d; the frame wants it %s at %d,%d",
		    t->visible ? "shown" : "hidden", t->cy, t->cx,
		    s->cursor_y >= 0 ? "shown" : "hidden", s->cursor_y, s->cursor_x);
		return true;
	}
	/* A region left set would confine whatever writes next (a shell after ^Z). */
	if (t->top != 0 || t->bot != t->rows - 1) {
		snprintf(why, whylen, "the scroll region %d-%d is left set", t->top, t->bot);
		return true;
	}
	for (int y = 0; y < s->rows; y++) {
		for (int x = 0; x < s->cols; x++) {
			char cell[160];

			if (!cell_matches(p, &s->cells[(size_t)y * (size_t)s->cols + (size_t)x],
			    at(t, y, x), cell, sizeof(cell))) {
				snprintf(why, whylen, "row %d col %d: %s", y, x, cell);
				return true;
			}
		}
	}
	return false;
}

/* What a session varies. */
struct kind {
	const char *name;
	int rows, cols;
	bool scroll_n;		/* SU/SD, else IND/RI */
	bool utf8;		/* else ASCII stand-ins */
	bool normal_bg;		/* normal text has a background; selection underlines */
	bool resizes;		/* the window changes size now and then */
	unsigned seed;
};

/* A scripted session of 400 frames, each checked on the emulated terminal. */
static void
session(const struct kind *k)
{
	struct gth_screen *s = gth_screen_new(k->rows, k->cols);
	struct gth_paint p;
	struct vt t;
	struct gth_buf out = GTH_BUF_INIT;
	long top = 0, frames = 0, bad = 0;
	char why[300] = "";

	gth_paint_init(&p, k->utf8, k->scroll_n);
	setup_pens(&p, k->normal_bg);
	vt_init(&t, k->rows, k->cols);
	t.su_sd = k->scroll_n;
	srand(k->seed);
	for (int step = 0; step < 400; step++) {
		int r = rand() % 100, rows = s->rows, cursor = rows - 2, edit = 0;

		if (k->resizes && step % 37 == 36) {
			int nr = 3 + rand() % 40, nc = 7 + rand() % 150;

			gth_screen_resize(s, nr, nc);
			vt_resize(&t, nr, nc);
			rows = nr;
			cursor = rows - 2;
		}
		if (r < 40)
			top += 1;
		else if (r < 55)
			top -= 1;
		else if (r < 65)
			top += rows - 3;
		else if (r < 72)
			top -= rows - 3;
		else if (r < 78)
			top += rand() % 3 + 2;
		else if (r < 84)
			top = rand() % 1000;
		else if (r < 92)
			edit = rand() % rows;
		else if (r < 96)
			cursor = rand() % rows;
		else
			gth_paint_invalidate(&p);
		if (top < 0)
			top = 0;
		frame(s, top, cursor, edit, step % 9 == 0);
		gth_buf_reset(&out);
		gth_paint_frame(&p, s, &out);
		vt_feed(&t, out.data != NULL ? out.data : "", out.len);
		frames++;
		if (differs(&p, s, &t, why, sizeof(why)) && bad++ == 0)
			diag("%s: frame %d (top %ld): %s", k->name, step, top, why);
		t.error[0] = '\0';
	}
	ok(bad == 0, "%s: the terminal shows each of %ld frames exactly", k->name, frames);
	gth_buf_release(&out);
	gth_paint_release(&p);
	gth_screen_free(s);
	free(t.c);
}

static size_t
bytes_for(struct gth_paint *p, struct gth_screen *s, struct vt *t, long top, int cursor)
{
	struct gth_buf out = GTH_BUF_INIT;
	size_t n;

	frame(s, top, cursor, 0, false);
	gth_paint_frame(p, s, &out);
	vt_feed(t, out.data != NULL ? out.data : "", out.len);
	n = out.len;
	gth_buf_release(&out);
	return n;
}

static void
costs(void)
{
	struct gth_screen *s = gth_screen_new(48, 160);
	struct gth_paint p;
	struct vt t;
	char why[300];
	size_t first, line, again, page;

	gth_paint_init(&p, true, true);
	setup_pens(&p, false);
	vt_init(&t, 48, 160);
	first = bytes_for(&p, s, &t, 100, 46);
	again = bytes_for(&p, s, &t, 100, 46);
	is_int((long)again, 0, "a frame that changes nothing writes nothing (the first wrote %zu)",
	    first);
	line = bytes_for(&p, s, &t, 101, 46);
	ok(line < first / 10 && !differs(&p, s, &t, why, sizeof(why)),
	    "a one-line scroll moves the rows in the terminal: %zu bytes, not a repaint", line);
	page = bytes_for(&p, s, &t, 101 + 45, 46);
	ok(!differs(&p, s, &t, why, sizeof(why)), "a page is painted right (%zu bytes)", page);
	gth_paint_invalidate(&p);
	again = bytes_for(&p, s, &t, 101 + 45, 46);
	ok(again >= first / 2 && !differs(&p, s, &t, why, sizeof(why)),
	    "after invalidate the whole frame is painted again (%zu bytes)", again);
	ok(page <= again, "a page never costs more than painting the screen afresh (%zu <= %zu)",
	    page, again);
	gth_paint_release(&p);
	gth_screen_free(s);
	free(t.c);
}

static void
colors(void)
{
	char out[20];
	struct {
		int value;
		bool rgb, bg;
		const char *want;
	} cases[] = {
		{ -1, false, false, "" }, { 1, false, false, "31" }, { 1, false, true, "41" },
		{ 9, false, false, "91" }, { 15, false, true, "107" }, { 208, false, false, "38;5;208" },
		{ 0x000001, true, false, "38;2;0;0;1" }, { 0xff8000, true, true, "48;2;255;128;0" },
	};
	int right = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gth_paint_color_param(cases[i].value, cases[i].rgb, cases[i].bg, out);
		if (strcmp(out, cases[i].want) == 0)
			right++;
		else
			diag("colour %#x rgb %d bg %d: '%s', not '%s'", cases[i].value, cases[i].rgb,
			    cases[i].bg, out, cases[i].want);
	}
	is_int(right, (long)(sizeof(cases) / sizeof(cases[0])),
	    "colours as SGR: default, the 8 and their bright forms, 256, and #rrggbb exactly "
	    "(#000001 is not red)");
}

int
main(void)
{
	static const struct kind kinds[] = {
		{ "80x24, SU/SD", 24, 80, true, true, false, false, 1 },
		{ "80x24, IND/RI", 24, 80, false, true, false, false, 2 },
		{ "160x48", 48, 160, true, true, false, false, 3 },
		{ "20x5", 5, 20, true, true, false, false, 4 },
		{ "7x3, IND/RI", 3, 7, false, true, false, false, 5 },
		{ "80x24 in ASCII", 24, 80, true, false, false, false, 6 },
		{ "80x24, normal text on a background", 24, 80, true, true, true, false, 7 },
		{ "resized now and then", 24, 80, true, true, false, true, 8 },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		session(&kinds[i]);
	colors();
	costs();
	return done_testing();
}
