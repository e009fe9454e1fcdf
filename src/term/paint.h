/*
 * The painter: turns screen frames into the fewest bytes an xterm-style
 * terminal needs (term/'s own; the tests drive it too).
 *
 * It keeps what the terminal shows and, for each new frame, first looks for
 * rows that moved up or down as whole rows: those it moves with the
 * terminal's own scrolling inside a scroll region (one short sequence
 * instead of a screenful), then it writes the cells that still differ,
 * moving the cursor the cheapest way, one combined SGR per change of style,
 * and erasing blank row ends with EL.  curses' refresh does the same job for
 * any terminal; this does it in fewer bytes for the terminals nearly
 * everyone uses over SSH (xterm and what copies it: tmux, screen, VTE,
 * iTerm2, kitty, the Linux console), which term.c recognises from terminfo.
 *
 * It writes nothing but what the frame holds: cells come from the screen
 * buffer, which holds only sanitized text; any byte below 0x20 or invalid
 * UTF-8 still found there goes out as '?'.
 */
#ifndef GATEHOUSE_TERM_PAINT_H
#define GATEHOUSE_TERM_PAINT_H

#include <stdbool.h>
#include <stdint.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/ui/screen.h"
#include "gatehouse/ui/theme.h"

/* A style as the terminal is told it: GTH_ATTR_* and SGR colour parameters. */
struct gth_pen {
	unsigned attrs;
	char fg[20];		/* "31", "38;5;208", "38;2;1;2;3"; "" = the default colour */
	char bg[20];
};

struct gth_paint {
	int rows, cols;
	struct gth_cell *shown;	/* what the terminal shows; NULL = unknown */
	struct gth_pen pens[GTH_ROLE__COUNT][2];	/* [role][selected] */
	bool blank_safe[GTH_ROLE__COUNT][2];	/* a blank in it looks like an erased cell */
	bool utf8;		/* write UTF-8; else ASCII stand-ins */
	bool scroll_n;		/* CSI n S / CSI n T scroll a region (else IND/RI) */
	/* The terminal's state as far as we know it (-1 = unknown). */
	int cy, cx;
	int pen_role, pen_sel;
	bool cursor_shown;
};

/* A painter for a rows x cols terminal whose state is unknown. */
void gth_paint_init(struct gth_paint *p, bool utf8, bool scroll_n);
void gth_paint_release(struct gth_paint *p);

/* The pen for role (selected: on the cursor line); set every role before painting. */
void gth_paint_set_pen(struct gth_paint *p, int role, bool selected, const struct gth_pen *pen);

/*
 * SGR parameters for a colour (foreground, or background): value is a
 * palette index 0-255, or 0xrrggbb when rgb; < 0 is the default ("").
 */
void gth_paint_color_param(int value, bool rgb, bool background, char out[20]);

/* Forget what the terminal shows: the next frame clears it and paints everything. */
void gth_paint_invalidate(struct gth_paint *p);

/* Append to out what turns the terminal's contents into s. */
void gth_paint_frame(struct gth_paint *p, const struct gth_screen *s, struct gth_buf *out);

/*
 * What puts the terminal's modes back as found before leaving it: the style
 * reset, the whole screen as the scroll region, the cursor shown.
 */
#define GTH_PAINT_LEAVE "\033[m\033[r\033[?25h"

/* A plain-ASCII stand-in for the glyphs the views draw; '?' for others, 0 for zero-width. */
uint32_t gth_paint_ascii_for(uint32_t cp);

#endif
