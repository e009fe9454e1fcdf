/*
 * The screen buffer every view draws into: rows x cols cells, each holding
 * one grapheme (a code point and the combining marks that follow it) and a
 * role.  A wide character occupies two cells, the second a continuation.
 * term/ copies it to the terminal (only what changed); tests dump it as
 * text.  Nothing here knows about curses.
 */
#ifndef GATEHOUSE_UI_SCREEN_H
#define GATEHOUSE_UI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/base/sanitize.h"

#define GTH_CELL_BYTES	16	/* a code point plus a few combining marks */

#define GTH_CELL_SELECTED	0x01	/* on the cursor line: term/ adds the selection style */

struct gth_cell {
	char ch[GTH_CELL_BYTES];	/* UTF-8, NUL-terminated; "" for a continuation */
	uint8_t len;			/* bytes in ch */
	uint8_t width;			/* 1, 2, or 0 for the right half of a wide character */
	uint8_t role;			/* enum gth_role */
	uint8_t flags;			/* GTH_CELL_* */
};

struct gth_screen {
	int rows;
	int cols;
	struct gth_cell *cells;		/* rows * cols */
	bool ascii;			/* draw borders and glyphs in plain ASCII */
	int cursor_y, cursor_x;		/* where term/ shows the cursor; -1 hides it */
};

/* A blank screen (at least 1x1).  Free with gth_screen_free (NULL is fine). */
struct gth_screen *gth_screen_new(int rows, int cols);
void gth_screen_free(struct gth_screen *scr);
/* Change the size; the contents become blank. */
void gth_screen_resize(struct gth_screen *scr, int rows, int cols);
/* Blank every cell (role normal). */
void gth_screen_clear(struct gth_screen *scr);

/* The cell at y, x, or NULL outside the screen. */
struct gth_cell *gth_screen_cell(struct gth_screen *scr, int y, int x);
const struct gth_cell *gth_screen_cell_const(const struct gth_screen *scr, int y, int x);

/*
 * Write trusted or already-sanitized UTF-8 text at y, x with role, using at
 * most max_cols columns (and never past the right edge).  Columns are counted
 * with gth_cp_width; a wide character that does not fit leaves a blank; '\t'
 * advances to the next multiple of 8 counted from x.  As a last line of
 * defence any control byte or invalid UTF-8 still present is drawn as '?'.
 * Returns the number of columns used.
 */
int gth_screen_put(struct gth_screen *scr, int y, int x, int role, const char *text, size_t len,
	int max_cols);

/* Like gth_screen_put, skipping the first skip columns of text (horizontal scrolling). */
int gth_screen_put_skip(struct gth_screen *scr, int y, int x, int role, const char *text,
	size_t len, int skip, int max_cols);

/* NUL-terminated convenience: gth_screen_put(scr, y, x, role, s, strlen(s), max_cols). */
int gth_screen_puts(struct gth_screen *scr, int y, int x, int role, const char *s, int max_cols);

/*
 * Draw sanitized text: plain runs in role, tokens in their token roles
 * (token-control, token-badbyte, token-bidi, token-invisible, token-mixed).
 * Skips skip columns first.  Returns the columns used.
 */
int gth_screen_put_sanitized(struct gth_screen *scr, int y, int x, int role,
	const struct gth_sanitized *s, int skip, int max_cols);

/*
 * Sanitize len bytes of untrusted text (flags as gth_sanitize; tabs are
 * kept and expanded) and draw it as gth_screen_put_sanitized does.  warn,
 * when not NULL, gets the counts added.  Returns the columns used.
 */
int gth_screen_put_untrusted(struct gth_screen *scr, int y, int x, int role, const char *text,
	size_t len, unsigned flags, int max_cols, struct gth_text_warnings *warn);

/* Fill n cells from y, x with blanks in role. */
void gth_screen_fill(struct gth_screen *scr, int y, int x, int role, int n);
/* Set flags on n cells of row y from x. */
void gth_screen_mark(struct gth_screen *scr, int y, int x, int n, uint8_t flags);

/*
 * Append the screen as text to out: one line per row, trailing blanks
 * trimmed.  With styled, each text row is followed by a row of role codes
 * ("  " then one character per column: gth_screen_role_code()), blank where
 * the role is normal; selected cells show as '='... only when styled.
 */
void gth_screen_dump(const struct gth_screen *scr, struct gth_buf *out, bool styled);

/* The one-character code of a role in styled dumps ('.' for normal). */
char gth_screen_role_code(int role);

#endif
