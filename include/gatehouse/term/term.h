/*
 * The terminal adapter: the only code that talks to curses.
 *
 * It does four things: set the terminal up and always put it back; read
 * keys as GTH_KEY_* / code points; map display roles to colours through
 * the theme (8, 256 or truecolor, none under NO_COLOR); and copy a
 * struct gth_screen to the terminal, writing only the cells that changed
 * since the previous copy (so an idle console writes nothing and a
 * full-width one-line scroll is left to curses' scrolling optimisation).
 * Plus the OSC 52 clipboard and suspend/resume around $EDITOR.
 *
 * The app calls setlocale(LC_ALL, "") before gth_term_init.  curses keeps
 * its own SIGTSTP/SIGCONT and SIGWINCH handling (KEY_RESIZE arrives as
 * GTH_KEY_RESIZE); the app's SIGHUP/SIGTERM/fatal paths call
 * gth_term_restore().
 */
#ifndef GATEHOUSE_TERM_TERM_H
#define GATEHOUSE_TERM_TERM_H

#include <stdbool.h>

#include "gatehouse/base/err.h"
#include "gatehouse/ui/screen.h"
#include "gatehouse/ui/theme.h"

struct gth_term_options {
	const struct gth_theme *theme;	/* copied; NULL = the default theme */
	bool no_color;			/* force no colour (NO_COLOR is honoured anyway) */
	bool ascii;			/* force ASCII even in a UTF-8 locale */
};

/* What the terminal turned out to be. */
struct gth_term_caps {
	bool utf8;		/* the locale's codeset is UTF-8 */
	bool color;		/* colours in use */
	int colors;		/* 8, 16, 256, or 16777216 for direct colour */
	bool truecolor;		/* #rrggbb drawn exactly (a direct-colour terminfo entry) */
};

/*
 * Take over the terminal on stdin/stdout.  caps may be NULL.  Returns 0, or
 * -GTH_E_IO when stdin/stdout is not a terminal or curses cannot start it.
 */
int gth_term_init(const struct gth_term_options *o, struct gth_term_caps *caps,
	struct gth_err *err);

/* Leave curses normally (endwin) and free it.  Safe to call twice. */
void gth_term_end(void);

/*
 * Put the terminal back from a signal handler or the fatal path: writes the
 * saved reset sequence with write(2) and restores the saved termios.  Does
 * not allocate or call curses.  Idempotent.
 */
void gth_term_restore(void);

/* Give the terminal to a child ($EDITOR) or the shell, and take it back (full repaint). */
void gth_term_suspend(void);
void gth_term_resume(void);

/* Current size (after GTH_KEY_RESIZE). */
void gth_term_size(int *rows, int *cols);

/* The file descriptor to poll for input. */
int gth_term_fd(void);

/*
 * Read one key, waiting at most timeout_ms (-1 = forever, 0 = poll).
 * Returns a code point, a GTH_KEY_* value, or GTH_KEY_NONE.
 */
int gth_term_read_key(int timeout_ms);

/* Use theme t from now on (repaints everything at the next blit). */
void gth_term_set_theme(const struct gth_theme *t);

/* Copy scr to the terminal, writing only what changed since the last blit. */
void gth_term_blit(const struct gth_screen *scr);

/* Make the next blit repaint everything (after <C-l> or garbage on screen). */
void gth_term_invalidate(void);

/*
 * Put text on the reviewer's clipboard with OSC 52 (wrapped for tmux and
 * screen).  At most 74,994 bytes (xterm's limit).  0, -GTH_E_TOOBIG or -GTH_E_IO.
 */
int gth_term_osc52(const char *text);

#endif
