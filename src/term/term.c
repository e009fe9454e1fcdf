/*
 * curses behind a narrow interface.  See term.h for what it does and why.
 *
 * The blit keeps a shadow of what was last sent and touches only cells that
 * differ, then lets doupdate() work out the cheapest output (with idlok so
 * that full-width vertical scrolls use the terminal's scrolling).  An idle
 * frame therefore writes no byte at all.
 */
#include "config.h"

#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <term.h>

#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/term/term.h"
#include "gatehouse/ui/keys.h"

#define OSC52_MAX	74994

static SCREEN *scr_;
static struct termios saved_tio;
static bool have_tio;
static volatile sig_atomic_t active;
static char reset_seq[256];	/* written by gth_term_restore: no curses in a signal handler */
static size_t reset_len;
static struct gth_term_caps caps_;
static bool ascii_;
static struct gth_theme theme_;
static attr_t role_attr[GTH_ROLE__COUNT];
static attr_t sel_attr;
static struct gth_cell *shadow;
static int shadow_rows, shadow_cols;
static bool cursor_on;

static void
add_reset(const char *cap)
{
	size_t n;

	if (cap == NULL || cap == (char *)-1)
		return;
	n = strlen(cap);
	if (reset_len + n < sizeof(reset_seq)) {
		memcpy(reset_seq + reset_len, cap, n);
		reset_len += n;
	}
}

/* Nearest xterm-256 colour to rgb (6x6x6 cube or grey ramp). */
static int
rgb_to_256(int32_t rgb)
{
	int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
	int ri = r < 48 ? 0 : r < 115 ? 1 : (r - 35) / 40;
	int gi = g < 48 ? 0 : g < 115 ? 1 : (g - 35) / 40;
	int bi = b < 48 ? 0 : b < 115 ? 1 : (b - 35) / 40;
	int grey = (r + g + b) / 3, gri = grey > 238 ? 23 : grey < 8 ? 0 : (grey - 8) / 10;
	static const int lv[6] = { 0, 95, 135, 175, 215, 255 };
	int cr = lv[ri], cg = lv[gi], cb = lv[bi], gv = 8 + gri * 10;
	long dc = (long)(cr - r) * (cr - r) + (long)(cg - g) * (cg - g) + (long)(cb - b) * (cb - b);
	long dg = (long)(gv - r) * (gv - r) + (long)(gv - g) * (gv - g) + (long)(gv - b) * (gv - b);

	return dg < dc ? 232 + gri : 16 + 36 * ri + 6 * gi + bi;
}

/* Nearest of the 8 (or 16) ANSI colours. */
static int
rgb_to_ansi(int32_t rgb, int ncolors)
{
	int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
	int c = (r > 127 ? 1 : 0) | (g > 127 ? 2 : 0) | (b > 127 ? 4 : 0);
	int bright = (r + g + b) / 3 > 170;

	return ncolors >= 16 && bright && c != 7 ? c + 8 : c;
}

/*
 * A direct-colour terminal reads any value from 8 up as 0xrrggbb, so the
 * xterm palette indexes 8-255 are turned into the colours they name.
 */
static int
palette_rgb(int c)
{
	static const int bright[8] = {
		0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
	};
	static const int lv[6] = { 0, 95, 135, 175, 215, 255 };

	if (c < 16)
		return bright[c - 8];
	if (c < 232) {
		c -= 16;
		return lv[c / 36] << 16 | lv[(c / 6) % 6] << 8 | lv[c % 6];
	}
	c = 8 + (c - 232) * 10;
	return c << 16 | c << 8 | c;
}

static int
map_color(int32_t c)
{
	if (c == GTH_COLOR_DEFAULT)
		return -1;
	if (c & GTH_COLOR_RGB) {
		int32_t rgb = c & 0xffffff;

		if (caps_.truecolor)
			return rgb;
		if (caps_.colors >= 256)
			return rgb_to_256(rgb);
		return rgb_to_ansi(rgb, caps_.colors);
	}
	if (caps_.truecolor && c >= 8)
		return palette_rgb(c);
	if (c >= caps_.colors && c < 16)
		return c - 8;	/* bright-x on an 8-colour terminal: x */
	if (c >= caps_.colors)
		return rgb_to_ansi(palette_rgb(c), caps_.colors);
	/* Direct-colour terminfo: indexes 0-7 still mean the ANSI colours. */
	return c;
}

static attr_t
map_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & GTH_ATTR_BOLD)
		r |= A_BOLD;
	if (a & GTH_ATTR_DIM)
		r |= A_DIM;
	if (a & GTH_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & GTH_ATTR_REVERSE)
		r |= A_REVERSE;
	if (a & GTH_ATTR_ITALIC)
		r |= A_ITALIC;
	if (a & GTH_ATTR_BLINK)
		r |= A_BLINK;
	if (a & GTH_ATTR_STANDOUT)
		r |= A_STANDOUT;
	return r;
}

/*
 * Without colour, roles that a theme marks by colour alone would vanish into
 * plain text.  Untrusted-text tokens and warnings must never do that.
 */
static attr_t
mono_fallback(int role)
{
	switch (role) {
	case GTH_ROLE_TOKEN_CONTROL:
	case GTH_ROLE_TOKEN_BADBYTE:
	case GTH_ROLE_TOKEN_BIDI:
	case GTH_ROLE_TOKEN_INVISIBLE:
	case GTH_ROLE_WARNING_BANNER:
	case GTH_ROLE_SLA_BREACHED:
	case GTH_ROLE_RISK_CRITICAL:
	case GTH_ROLE_GATE_MISSING:
	case GTH_ROLE_DELIVERY_FAILED:
	case GTH_ROLE_TITLE:
	case GTH_ROLE_STATUS:
	case GTH_ROLE_TAB_ACTIVE:
	case GTH_ROLE_INTRALINE_ADD:
	case GTH_ROLE_INTRALINE_DEL:
	case GTH_ROLE_SEARCH_MATCH:
		return A_REVERSE;
	case GTH_ROLE_TOKEN_MIXED:
	case GTH_ROLE_LINK:
		return A_UNDERLINE;
	case GTH_ROLE_GATE_FAIL:
	case GTH_ROLE_ERROR:
	case GTH_ROLE_RISK_HIGH:
	case GTH_ROLE_DIFF_ADD:
	case GTH_ROLE_HEADING:
	case GTH_ROLE_ANNOTATION_FAILURE:
		return A_BOLD;
	case GTH_ROLE_DIFF_DEL:
	case GTH_ROLE_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

static void
setup_colors(void)
{
	for (int r = 0; r < GTH_ROLE__COUNT; r++) {
		const struct gth_style *st = &theme_.style[r];
		attr_t a = map_attrs(st->attrs);

		if (caps_.color) {
			int fg = map_color(st->fg), bg = map_color(st->bg);

			init_extended_pair(r + 1, fg, bg);
			role_attr[r] = a;
		} else {
			role_attr[r] = a | mono_fallback(r);
		}
	}
	sel_attr = map_attrs(theme_.style[GTH_ROLE_SELECTION].attrs);
	if (sel_attr == A_NORMAL)
		sel_attr = A_REVERSE;
}

static void
free_shadow(void)
{
	free(shadow);
	shadow = NULL;
	shadow_rows = shadow_cols = 0;
}

int
gth_term_init(const struct gth_term_options *o, struct gth_term_caps *caps, struct gth_err *err)
{
	const char *cs = nl_langinfo(CODESET), *nc = getenv("NO_COLOR"), *ct = getenv("COLORTERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		if (err != NULL) {
			err->code = -GTH_E_IO;
			snprintf(err->msg, sizeof(err->msg), "not a terminal");
		}
		return -GTH_E_IO;
	}
	memset(&caps_, 0, sizeof(caps_));
	caps_.utf8 = cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
	ascii_ = !caps_.utf8 || (o != NULL && o->ascii);
	if (o != NULL && o->theme != NULL)
		theme_ = *o->theme;
	else
		gth_theme_init_default(&theme_);
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	scr_ = newterm(NULL, stdout, stdin);
	if (scr_ == NULL) {
		if (err != NULL) {
			err->code = -GTH_E_IO;
			snprintf(err->msg, sizeof(err->msg), "curses cannot drive TERM=%s",
				getenv("TERM") != NULL ? getenv("TERM") : "(unset)");
		}
		return -GTH_E_IO;
	}
	set_term(scr_);
	reset_len = 0;
	add_reset(exit_attribute_mode);
	add_reset(cursor_normal);
	add_reset(keypad_local);
	add_reset(exit_ca_mode);
	active = 1;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	meta(stdscr, TRUE);
	idlok(stdscr, TRUE);
	idcok(stdscr, TRUE);
	scrollok(stdscr, FALSE);
	leaveok(stdscr, FALSE);
	set_escdelay(25);
	curs_set(0);
	cursor_on = false;
	caps_.color = has_colors() && !(nc != NULL && nc[0] != '\0') && !(o != NULL && o->no_color);
	if (caps_.color) {
		start_color();
		use_default_colors();
		caps_.colors = COLORS;
		caps_.truecolor = COLORS >= 0x1000000;
		/* COLORTERM=truecolor without a direct-colour entry: 256 is the best curses can do. */
		(void)ct;
	}
	setup_colors();
	free_shadow();
	if (caps != NULL)
		*caps = caps_;
	return 0;
}

void
gth_term_end(void)
{
	if (scr_ == NULL)
		return;
	if (active) {
		curs_set(1);
		endwin();
	}
	active = 0;
	delscreen(scr_);
	scr_ = NULL;
	free_shadow();
}

void
gth_term_restore(void)
{
	ssize_t w;

	if (!active)
		return;
	active = 0;
	w = write(STDOUT_FILENO, reset_seq, reset_len);
	(void)w;
	if (have_tio)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
}

void
gth_term_suspend(void)
{
	if (scr_ == NULL || !active)
		return;
	endwin();
}

void
gth_term_resume(void)
{
	if (scr_ == NULL || !active)
		return;
	reset_prog_mode();
	clearok(curscr, TRUE);
	wnoutrefresh(stdscr);
	doupdate();
}

void
gth_term_size(int *rows, int *cols)
{
	struct winsize ws;

	if (scr_ != NULL) {
		getmaxyx(stdscr, *rows, *cols);
		return;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	} else {
		*rows = 24;
		*cols = 80;
	}
}

int
gth_term_fd(void)
{
	return STDIN_FILENO;
}

static int
map_key(int k)
{
	switch (k) {
	case KEY_UP:
		return GTH_KEY_UP;
	case KEY_DOWN:
		return GTH_KEY_DOWN;
	case KEY_LEFT:
		return GTH_KEY_LEFT;
	case KEY_RIGHT:
		return GTH_KEY_RIGHT;
	case KEY_PPAGE:
		return GTH_KEY_PGUP;
	case KEY_NPAGE:
		return GTH_KEY_PGDOWN;
	case KEY_HOME:
		return GTH_KEY_HOME;
	case KEY_END:
		return GTH_KEY_END;
	case KEY_IC:
		return GTH_KEY_INSERT;
	case KEY_DC:
		return GTH_KEY_DELETE;
	case KEY_BTAB:
		return GTH_KEY_BTAB;
	case KEY_RESIZE:
		return GTH_KEY_RESIZE;
	case KEY_ENTER:
		return GTH_KEY_ENTER;
	case KEY_BACKSPACE:
		return GTH_KEY_BACKSPACE;
	default:
		if (k >= KEY_F(1) && k <= KEY_F(12))
			return GTH_KEY_F(k - KEY_F(0));
		return GTH_KEY_NONE;
	}
}

int
gth_term_read_key(int timeout_ms)
{
	wint_t ch;
	int r;

	if (scr_ == NULL)
		return GTH_KEY_NONE;
	wtimeout(stdscr, timeout_ms);
	r = wget_wch(stdscr, &ch);
	if (r == ERR)
		return GTH_KEY_NONE;
	if (r == KEY_CODE_YES)
		return map_key((int)ch);
	if (ch == '\n' || ch == '\r')
		return GTH_KEY_ENTER;
	if (ch == 8 || ch == 127)
		return GTH_KEY_BACKSPACE;
	return (int)ch;
}

void
gth_term_set_theme(const struct gth_theme *t)
{
	theme_ = *t;
	if (scr_ != NULL) {
		setup_colors();
		gth_term_invalidate();
	}
}

void
gth_term_invalidate(void)
{
	free_shadow();
	if (scr_ != NULL)
		clearok(curscr, TRUE);
}

static bool
same_cell(const struct gth_cell *a, const struct gth_cell *b)
{
	return a->len == b->len && a->width == b->width && a->role == b->role &&
		a->flags == b->flags && memcmp(a->ch, b->ch, a->len) == 0;
}

/* A plain-ASCII stand-in for the glyphs the views draw, '?' for anything else. */
static uint32_t
ascii_for(uint32_t cp)
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

static void
put_cell(int y, int x, const struct gth_cell *c)
{
	wchar_t wch[CCHARW_MAX + 1];
	int n = 0, role = c->role < GTH_ROLE__COUNT ? c->role : 0;
	attr_t attr = role_attr[role];
	cchar_t cc;
	size_t i = 0;

	if (c->flags & GTH_CELL_SELECTED)
		attr |= sel_attr;
	while (i < c->len && n < CCHARW_MAX) {
		uint32_t cp;
		int k = gth_utf8_decode(c->ch + i, c->len - i, &cp);

		if (k < 0) {
			cp = '?';
			k = 1;
		}
		/* Outside UTF-8 locales curses cannot draw the rest: keep the columns right. */
		if (!caps_.utf8 && cp >= 0x80)
			cp = ascii_for(cp);
		if (cp != 0)
			wch[n++] = (wchar_t)cp;
		i += (size_t)k;
	}
	if (n == 0)
		wch[n++] = L' ';
	wch[n] = L'\0';
	setcchar(&cc, wch, attr, 0, NULL);
	if (caps_.color) {
		int pair = role + 1;

		/* Extended pairs go through the opaque ext_color field. */
		setcchar(&cc, wch, attr, 0, &pair);
	}
	mvwadd_wch(stdscr, y, x, &cc);
	if (!caps_.utf8 && c->width == 2)
		mvwaddch(stdscr, y, x + 1, '?' | attr);
}

void
gth_term_blit(const struct gth_screen *s)
{
	int rows, cols;

	if (scr_ == NULL || !active)
		return;
	getmaxyx(stdscr, rows, cols);
	if (rows > s->rows)
		rows = s->rows;
	if (cols > s->cols)
		cols = s->cols;
	if (shadow == NULL || shadow_rows != s->rows || shadow_cols != s->cols) {
		free_shadow();
		shadow = xcalloc((size_t)s->rows * (size_t)s->cols, sizeof(*shadow));
		shadow_rows = s->rows;
		shadow_cols = s->cols;
		/* Nothing in the shadow matches a real cell, so everything is drawn. */
		for (size_t i = 0; i < (size_t)s->rows * (size_t)s->cols; i++)
			shadow[i].len = 0xff;
		werase(stdscr);
	}
	for (int y = 0; y < rows; y++) {
		for (int x = 0; x < cols; x++) {
			size_t i = (size_t)y * (size_t)s->cols + (size_t)x;
			const struct gth_cell *c = &s->cells[i];

			if (same_cell(c, &shadow[i]))
				continue;
			if (c->width == 0) {
				/* Right half of a wide character: drawn with its left half. */
				if (x > 0 && s->cells[i - 1].width == 2)
					put_cell(y, x - 1, &s->cells[i - 1]);
				else
					put_cell(y, x, c);
			} else if (!(c->width == 2 && x + 1 >= cols)) {
				put_cell(y, x, c);
			}
			shadow[i] = *c;
		}
	}
	if (s->cursor_y >= 0 && s->cursor_x >= 0 && s->cursor_y < rows && s->cursor_x < cols) {
		if (!cursor_on)
			curs_set(1);
		cursor_on = true;
		wmove(stdscr, s->cursor_y, s->cursor_x);
		leaveok(stdscr, FALSE);
	} else {
		if (cursor_on)
			curs_set(0);
		cursor_on = false;
		leaveok(stdscr, TRUE);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64(struct gth_buf *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			(i + 2 < n ? p[i + 2] : 0);

		gth_buf_addc(out, b64[v >> 18 & 63]);
		gth_buf_addc(out, b64[v >> 12 & 63]);
		gth_buf_addc(out, i + 1 < n ? b64[v >> 6 & 63] : '=');
		gth_buf_addc(out, i + 2 < n ? b64[v & 63] : '=');
	}
}

int
gth_term_osc52(const char *text)
{
	struct gth_buf seq = GTH_BUF_INIT;
	const char *tmux = getenv("TMUX"), *term = getenv("TERM");
	bool screen = tmux == NULL && term != NULL && strncmp(term, "screen", 6) == 0;
	size_t n = strlen(text), off = 0;
	int r = 0;

	if (n > OSC52_MAX)
		return -GTH_E_TOOBIG;
	/* Inside tmux or screen the sequence is passed through a DCS, ESC doubled for tmux. */
	if (tmux != NULL)
		gth_buf_adds(&seq, "\033Ptmux;\033\033]52;c;");
	else if (screen)
		gth_buf_adds(&seq, "\033P\033]52;c;");
	else
		gth_buf_adds(&seq, "\033]52;c;");
	base64(&seq, (const unsigned char *)text, n);
	if (tmux != NULL)
		gth_buf_adds(&seq, "\a\033\\");
	else if (screen)
		gth_buf_adds(&seq, "\a\033\\");
	else
		gth_buf_adds(&seq, "\a");
	if (scr_ != NULL)
		doupdate();
	while (off < seq.len) {
		ssize_t w = write(STDOUT_FILENO, seq.data + off, seq.len - off);

		if (w <= 0) {
			r = -GTH_E_IO;
			break;
		}
		off += (size_t)w;
	}
	gth_buf_release(&seq);
	return r;
}
