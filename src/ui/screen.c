/*
 * The screen buffer: cells of graphemes with roles.  Widths come from
 * gth_cp_width (a fixed table), never from the locale, so a dump is the same
 * on every machine and the terminal agrees with the layout.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gatehouse/base/sanitize.h"
#include "gatehouse/base/xalloc.h"
#include "gatehouse/ui/screen.h"
#include "gatehouse/ui/theme.h"

struct gth_screen *
gth_screen_new(int rows, int cols)
{
	struct gth_screen *scr = xcalloc(1, sizeof(*scr));

	gth_screen_resize(scr, rows, cols);
	return scr;
}

void
gth_screen_free(struct gth_screen *scr)
{
	if (scr == NULL)
		return;
	free(scr->cells);
	free(scr);
}

void
gth_screen_resize(struct gth_screen *scr, int rows, int cols)
{
	if (rows < 1)
		rows = 1;
	if (cols < 1)
		cols = 1;
	free(scr->cells);
	scr->rows = rows;
	scr->cols = cols;
	scr->cells = xcalloc((size_t)rows * (size_t)cols, sizeof(*scr->cells));
	gth_screen_clear(scr);
}

static void
blank(struct gth_cell *c, int role)
{
	c->ch[0] = ' ';
	c->ch[1] = '\0';
	c->len = 1;
	c->width = 1;
	c->role = (uint8_t)role;
	c->flags = 0;
}

void
gth_screen_clear(struct gth_screen *scr)
{
	size_t n = (size_t)scr->rows * (size_t)scr->cols;

	for (size_t i = 0; i < n; i++)
		blank(&scr->cells[i], GTH_ROLE_NORMAL);
	scr->cursor_y = -1;
	scr->cursor_x = -1;
}

struct gth_cell *
gth_screen_cell(struct gth_screen *scr, int y, int x)
{
	if (y < 0 || x < 0 || y >= scr->rows || x >= scr->cols)
		return NULL;
	return &scr->cells[(size_t)y * (size_t)scr->cols + (size_t)x];
}

const struct gth_cell *
gth_screen_cell_const(const struct gth_screen *scr, int y, int x)
{
	if (y < 0 || x < 0 || y >= scr->rows || x >= scr->cols)
		return NULL;
	return &scr->cells[(size_t)y * (size_t)scr->cols + (size_t)x];
}

/*
 * Overwriting half of a wide character must not leave the other half
 * dangling: the terminal would draw garbage.  Blank the partner.
 */
static void
unhook(struct gth_screen *scr, int y, int x)
{
	struct gth_cell *c = gth_screen_cell(scr, y, x), *o;

	if (c == NULL)
		return;
	if (c->width == 0 && (o = gth_screen_cell(scr, y, x - 1)) != NULL && o->width == 2)
		blank(o, o->role);
	else if (c->width == 2 && (o = gth_screen_cell(scr, y, x + 1)) != NULL && o->width == 0)
		blank(o, o->role);
}

/* State of one put: where the next column goes and how many may still be skipped. */
struct pen {
	struct gth_screen *scr;
	int y, x0, x, end, skip;
	int col;		/* columns of text consumed, skipped ones included */
	struct gth_cell *last;	/* the cell a combining mark attaches to */
};

static void
pen_glyph(struct pen *p, int role, const char *s, size_t n, int w)
{
	struct gth_cell *c;

	if (w == 0) {
		/* Combining mark: joins the previous grapheme if there is room. */
		if (p->last != NULL && p->last->len + n < GTH_CELL_BYTES) {
			memcpy(p->last->ch + p->last->len, s, n);
			p->last->len += (uint8_t)n;
			p->last->ch[p->last->len] = '\0';
		}
		return;
	}
	if (p->col < p->skip) {
		p->col += w;
		/* A wide character cut by the left edge leaves a blank. */
		if (p->col > p->skip && p->x < p->end) {
			unhook(p->scr, p->y, p->x);
			blank(gth_screen_cell(p->scr, p->y, p->x), role);
			p->x++;
		}
		p->last = NULL;
		return;
	}
	p->col += w;
	if (p->x + w > p->end) {
		if (p->x < p->end) {
			unhook(p->scr, p->y, p->x);
			blank(gth_screen_cell(p->scr, p->y, p->x), role);
		}
		p->x = p->end;
		p->last = NULL;
		return;
	}
	unhook(p->scr, p->y, p->x);
	if (w == 2)
		unhook(p->scr, p->y, p->x + 1);
	c = gth_screen_cell(p->scr, p->y, p->x);
	memcpy(c->ch, s, n);
	c->ch[n] = '\0';
	c->len = (uint8_t)n;
	c->width = (uint8_t)w;
	c->role = (uint8_t)role;
	c->flags = 0;
	p->last = c;
	if (w == 2) {
		struct gth_cell *c2 = gth_screen_cell(p->scr, p->y, p->x + 1);

		c2->ch[0] = '\0';
		c2->len = 0;
		c2->width = 0;
		c2->role = (uint8_t)role;
		c2->flags = 0;
	}
	p->x += w;
}

static void
pen_text(struct pen *p, int role, const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && p->x < p->end) {
		unsigned char b = (unsigned char)text[i];
		uint32_t cp;
		int n;

		if (b == '\t') {
			int stop = ((p->col / 8) + 1) * 8;

			while (p->col < stop && p->x < p->end)
				pen_glyph(p, role, " ", 1, 1);
			i++;
			continue;
		}
		if (b < 0x20 || b == 0x7f) {
			pen_glyph(p, role, "?", 1, 1);
			i++;
			continue;
		}
		if (b < 0x80) {
			pen_glyph(p, role, text + i, 1, 1);
			i++;
			continue;
		}
		n = gth_utf8_decode(text + i, len - i, &cp);
		if (n < 0 || (cp >= 0x80 && cp < 0xa0)) {
			pen_glyph(p, role, "?", 1, 1);
			i += n < 0 ? 1 : (size_t)n;
			continue;
		}
		pen_glyph(p, role, text + i, (size_t)n, gth_cp_width(cp));
		i += (size_t)n;
	}
}

static int
pen_start(struct pen *p, struct gth_screen *scr, int y, int x, int skip, int max_cols)
{
	if (y < 0 || y >= scr->rows || x < 0 || x >= scr->cols || max_cols <= 0)
		return -1;
	p->scr = scr;
	p->y = y;
	p->x0 = p->x = x;
	p->end = x + max_cols > scr->cols ? scr->cols : x + max_cols;
	p->skip = skip < 0 ? 0 : skip;
	p->col = 0;
	p->last = NULL;
	return 0;
}

int
gth_screen_put_skip(struct gth_screen *scr, int y, int x, int role, const char *text, size_t len,
	int skip, int max_cols)
{
	struct pen p;

	if (pen_start(&p, scr, y, x, skip, max_cols) < 0 || text == NULL)
		return 0;
	pen_text(&p, role, text, len);
	return p.x - p.x0;
}

int
gth_screen_put(struct gth_screen *scr, int y, int x, int role, const char *text, size_t len,
	int max_cols)
{
	return gth_screen_put_skip(scr, y, x, role, text, len, 0, max_cols);
}

int
gth_screen_puts(struct gth_screen *scr, int y, int x, int role, const char *s, int max_cols)
{
	return gth_screen_put_skip(scr, y, x, role, s, s != NULL ? strlen(s) : 0, 0, max_cols);
}

static int
token_role(enum gth_text_class cls, int role)
{
	switch (cls) {
	case GTH_TEXT_CONTROL:
		return GTH_ROLE_TOKEN_CONTROL;
	case GTH_TEXT_BADBYTE:
		return GTH_ROLE_TOKEN_BADBYTE;
	case GTH_TEXT_BIDI:
		return GTH_ROLE_TOKEN_BIDI;
	case GTH_TEXT_INVISIBLE:
		return GTH_ROLE_TOKEN_INVISIBLE;
	case GTH_TEXT_MIXED:
		return GTH_ROLE_TOKEN_MIXED;
	default:
		return role;
	}
}

int
gth_screen_put_sanitized(struct gth_screen *scr, int y, int x, int role,
	const struct gth_sanitized *s, int skip, int max_cols)
{
	struct pen p;

	if (pen_start(&p, scr, y, x, skip, max_cols) < 0)
		return 0;
	if (s->n_runs == 0) {
		pen_text(&p, role, s->text, s->len);
		return p.x - p.x0;
	}
	for (size_t i = 0; i < s->n_runs && p.x < p.end; i++) {
		const struct gth_text_run *r = &s->runs[i];

		if (r->off + r->len > s->len)
			break;
		pen_text(&p, token_role(r->cls, role), s->text + r->off, r->len);
	}
	return p.x - p.x0;
}

int
gth_screen_put_untrusted(struct gth_screen *scr, int y, int x, int role, const char *text,
	size_t len, unsigned flags, int max_cols, struct gth_text_warnings *warn)
{
	struct gth_sanitized s = { 0 };
	int n;

	if (text == NULL)
		return 0;
	gth_sanitize(text, len, (flags & ~GTH_SAN_KEEP_NEWLINES) | GTH_SAN_KEEP_TABS, &s);
	n = gth_screen_put_sanitized(scr, y, x, role, &s, 0, max_cols);
	if (warn != NULL)
		gth_text_warnings_add(warn, &s.warn);
	gth_sanitized_release(&s);
	return n;
}

void
gth_screen_fill(struct gth_screen *scr, int y, int x, int role, int n)
{
	for (int i = 0; i < n; i++) {
		struct gth_cell *c = gth_screen_cell(scr, y, x + i);

		if (c == NULL)
			return;
		unhook(scr, y, x + i);
		blank(c, role);
	}
}

void
gth_screen_mark(struct gth_screen *scr, int y, int x, int n, uint8_t flags)
{
	for (int i = 0; i < n; i++) {
		struct gth_cell *c = gth_screen_cell(scr, y, x + i);

		if (c == NULL)
			return;
		c->flags |= flags;
	}
}

/* One printable character per role, in table order, for styled dumps. */
static const char role_codes[] =
	".123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

char
gth_screen_role_code(int role)
{
	if (role < 0 || role >= GTH_ROLE__COUNT || (size_t)role >= sizeof(role_codes) - 1)
		return '?';
	return role_codes[role];
}

void
gth_screen_dump(const struct gth_screen *scr, struct gth_buf *out, bool styled)
{
	for (int y = 0; y < scr->rows; y++) {
		const struct gth_cell *row = &scr->cells[(size_t)y * (size_t)scr->cols];
		size_t mark = out->len;
		int last = -1;

		for (int x = 0; x < scr->cols; x++) {
			if (row[x].width == 0)
				continue;
			gth_buf_add(out, row[x].ch, row[x].len);
			if (!(row[x].len == 1 && row[x].ch[0] == ' '))
				mark = out->len;
		}
		/* Trailing blanks trimmed, as tig's save-display does. */
		out->len = mark;
		if (out->data != NULL)
			out->data[out->len] = '\0';
		gth_buf_addc(out, '\n');
		if (!styled)
			continue;
		for (int x = 0; x < scr->cols; x++)
			if (row[x].role != GTH_ROLE_NORMAL || (row[x].flags & GTH_CELL_SELECTED))
				last = x;
		gth_buf_adds(out, "  ");
		for (int x = 0; x <= last; x++)
			gth_buf_addc(out, (row[x].flags & GTH_CELL_SELECTED) ? '=' :
				row[x].role == GTH_ROLE_NORMAL ? ' ' : gth_screen_role_code(row[x].role));
		gth_buf_addc(out, '\n');
	}
}
