/*
 * curses behind a narrow interface.  See term.h for what it does and why.
 *
 * On terminals that speak xterm's language (recognised from terminfo) the
 * blit hands each frame to the painter (paint.h), which writes only what
 * changed in the fewest bytes it knows, and curses keeps the keyboard, the
 * terminal modes and suspend/resume: curses' own screen stays blank and
 * untouched, so it never writes over the painter (after a resize or a
 * resume, where it repaints its blank screen, the painter repaints ours).
 * Elsewhere the blit keeps a shadow of what was last sent and touches only
 * cells that differ, then lets doupdate() work out the output (with idlok
 * so that full-width vertical scrolls use the terminal's scrolling).  Either
 * way an idle frame writes no byte at all.
 */
#include "config.h"

#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <term.h>

#include <errno.h>
#include <langinfo.h>
#include <poll.h>
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

#include "paint.h"

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
static bool painting;		/* frames go through the painter, not curses */
static bool size_from_env;	/* LINES or COLUMNS set: curses' size is not the tty's */
static struct gth_paint paint_;
static volatile sig_atomic_t resumed;	/* SIGCONT: curses blanked the screen */

static void (*curses_tstp)(int);	/* curses' SIGTSTP handler, which ours wraps */

static void
on_cont(int sig)
{
	(void)sig;
	resumed = 1;
}

/*
 * ^Z: curses' handler leaves the screen, but it never drew and so does not
 * know the style the painter left set: put that back first.
 */
static void
on_tstp(int sig)
{
	ssize_t w = write(STDOUT_FILENO, GTH_PAINT_LEAVE, sizeof(GTH_PAINT_LEAVE) - 1);

	(void)w;
	curses_tstp(sig);
	resumed = 1;
}

/*
 * Everything the painter writes, whatever write(2) takes at a time.  A
 * write that fails, or a ^Z in the middle (curses cleared the screen since),
 * leaves the terminal unlike what the painter believes: it paints everything
 * next time.
 */
static void
write_all(const char *p, size_t n)
{
	while (n > 0 && !resumed) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { STDOUT_FILENO, POLLOUT, 0 };

			(void)poll(&pfd, 1, 1000);
			continue;
		}
		if (w <= 0) {
			gth_paint_invalidate(&paint_);
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static bool
cap_is(const char *name, const char *want)
{
	const char *v = tigetstr(name);

	return v != NULL && v != (char *)-1 && strcmp(v, want) == 0;
}

/* setaf(n) as terminfo spells it is SGR's own. */
static bool
setaf_is(int n, const char *want)
{
	const char *v = tigetstr("setaf"), *t;

	if (v == NULL || v == (char *)-1)
		return false;
	t = tiparm(v, n);
	return t != NULL && strcmp(t, want) == 0;
}

/*
 * Whether the terminal is xterm's kind, as the painter needs: cursor
 * addressing and scroll regions in ANSI form, the deferred wrap at the right
 * margin, and colours as SGR.  Forced off with GATEHOUSE_OUTPUT=curses.
 */
static bool
xterm_like(void)
{
	const char *force = getenv("GATEHOUSE_OUTPUT");

	if (force != NULL && strcmp(force, "curses") == 0)
		return false;
	if (!cap_is("cup", "\033[%i%p1%d;%p2%dH") || !cap_is("csr", "\033[%i%p1%d;%p2%dr") ||
	    tigetflag("xenl") <= 0 || tigetflag("am") <= 0)
		return false;
	if (COLORS >= 8 && !setaf_is(1, "\033[31m"))
		return false;
	if (COLORS >= 256 && COLORS < 0x1000000 && !setaf_is(100, "\033[38;5;100m"))
		return false;
	return true;
}

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
static unsigned
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
		return GTH_ATTR_REVERSE;
	case GTH_ROLE_TOKEN_MIXED:
	case GTH_ROLE_LINK:
		return GTH_ATTR_UNDERLINE;
	case GTH_ROLE_GATE_FAIL:
	case GTH_ROLE_ERROR:
	case GTH_ROLE_RISK_HIGH:
	case GTH_ROLE_DIFF_ADD:
	case GTH_ROLE_HEADING:
	case GTH_ROLE_ANNOTATION_FAILURE:
		return GTH_ATTR_BOLD;
	case GTH_ROLE_DIFF_DEL:
	case GTH_ROLE_DIM:
		return GTH_ATTR_DIM;
	default:
		return 0;
	}
}

/*
 * A theme colour as the painter's SGR parameters.  With 24-bit colour an
 * #rrggbb goes as it is and a palette index as its index (never through
 * map_color's rgb, where #000001 and colour 1 look alike).
 */
static void
pen_color(int32_t c, bool bg, char out[20])
{
	if (c == GTH_COLOR_DEFAULT)
		out[0] = '\0';
	else if (caps_.truecolor && (c & GTH_COLOR_RGB))
		gth_paint_color_param(c & 0xffffff, true, bg, out);
	else if (caps_.truecolor)
		gth_paint_color_param(c & 0xff, false, bg, out);
	else
		gth_paint_color_param(map_color(c), false, bg, out);
}

/* The same styles as the curses pairs, for the painter. */
static void
setup_pens(void)
{
	unsigned sel = theme_.style[GTH_ROLE_SELECTION].attrs;

	if (sel == 0)
		sel = GTH_ATTR_REVERSE;
	for (int r = 0; r < GTH_ROLE__COUNT; r++) {
		const struct gth_style *st = &theme_.style[r];

		for (int selected = 0; selected < 2; selected++) {
			struct gth_pen pen;

			memset(&pen, 0, sizeof(pen));
			pen.attrs = st->attrs | (selected ? sel : 0);
			if (caps_.color) {
				pen_color(st->fg, false, pen.fg);
				pen_color(st->bg, true, pen.bg);
			} else {
				pen.attrs |= mono_fallback(r);
			}
			gth_paint_set_pen(&paint_, r, selected != 0, &pen);
		}
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
			role_attr[r] = a | map_attrs(mono_fallback(r));
		}
	}
	sel_attr = map_attrs(theme_.style[GTH_ROLE_SELECTION].attrs);
	if (sel_attr == A_NORMAL)
		sel_attr = A_REVERSE;
	setup_pens();
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
	}
	painting = xterm_like();
	size_from_env = getenv("LINES") != NULL || getenv("COLUMNS") != NULL;
	/* The painter speaks SGR itself: it can take COLORTERM at its word, curses cannot. */
	if (painting && caps_.color && ct != NULL &&
	    (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0)) {
		caps_.truecolor = true;
		caps_.colors = 0x1000000;
	}
	if (painting) {
		struct sigaction sa, old_tstp;

		gth_paint_init(&paint_, caps_.utf8, cap_is("indn", "\033[%p1%dS") &&
		    cap_is("rin", "\033[%p1%dT"));
		/* curses clears the screen now, once, and is never touched again. */
		wrefresh(stdscr);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_cont;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGCONT, &sa, NULL);
		if (sigaction(SIGTSTP, NULL, &old_tstp) == 0 && !(old_tstp.sa_flags & SA_SIGINFO) &&
		    old_tstp.sa_handler != SIG_DFL && old_tstp.sa_handler != SIG_IGN) {
			curses_tstp = old_tstp.sa_handler;
			sa = old_tstp;
			sa.sa_handler = on_tstp;
			sigaction(SIGTSTP, &sa, NULL);
		}
		/* A signal may leave the style and scroll region anywhere: put them back first. */
		if (reset_len + sizeof(GTH_PAINT_LEAVE) - 1 <= sizeof(reset_seq)) {
			memmove(reset_seq + sizeof(GTH_PAINT_LEAVE) - 1, reset_seq, reset_len);
			memcpy(reset_seq, GTH_PAINT_LEAVE, sizeof(GTH_PAINT_LEAVE) - 1);
			reset_len += sizeof(GTH_PAINT_LEAVE) - 1;
		}
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
		if (painting)
			write_all(GTH_PAINT_LEAVE, strlen(GTH_PAINT_LEAVE));
		curs_set(1);
		endwin();
	}
	active = 0;
	delscreen(scr_);
	scr_ = NULL;
	free_shadow();
	if (painting) {
		gth_paint_release(&paint_);
		signal(SIGCONT, SIG_DFL);
		if (curses_tstp != NULL)
			signal(SIGTSTP, SIG_DFL);	/* curses' handler went with its screen */
		curses_tstp = NULL;
		painting = false;
	}
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
	if (painting)
		write_all(GTH_PAINT_LEAVE, strlen(GTH_PAINT_LEAVE));
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
	if (painting)
		gth_paint_invalidate(&paint_);
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
	if (r == KEY_CODE_YES && ch == KEY_RESIZE && painting) {
		/* curses repaints its own (blank) screen now, not over the next frame. */
		wnoutrefresh(stdscr);
		doupdate();
		gth_paint_invalidate(&paint_);
	}
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
	if (painting)
		gth_paint_invalidate(&paint_);
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
			cp = gth_paint_ascii_for(cp);
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
	if (painting) {
		struct gth_buf out = GTH_BUF_INIT;
		struct winsize ws;

		/*
		 * Resized and not told yet (KEY_RESIZE is on its way): wait for it,
		 * rather than paint rows that wrap.  LINES and COLUMNS, when set,
		 * are the size curses was told to believe.
		 */
		if (!size_from_env && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
		    (ws.ws_row != s->rows || ws.ws_col != s->cols))
			return;
		if (resumed) {
			resumed = 0;
			gth_paint_invalidate(&paint_);
		}
		gth_paint_frame(&paint_, s, &out);
		write_all(out.data, out.len);
		gth_buf_release(&out);
		return;
	}
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
	/* curses' pending output first; the painter has none (and curses must not move the cursor). */
	if (scr_ != NULL && !painting)
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
