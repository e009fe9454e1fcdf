/*
 * The screen buffer: widths, clipping, tokens and the text dump that the
 * golden tests compare.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gatehouse/base/buf.h"
#include "gatehouse/ui/screen.h"
#include "gatehouse/ui/theme.h"
#include "tap.h"

static char *
row_text(struct gth_screen *scr, int y)
{
	static char line[1024];
	struct gth_buf b = GTH_BUF_INIT;
	struct gth_screen one = *scr;
	char *nl;

	one.rows = 1;
	one.cells = &scr->cells[(size_t)y * (size_t)scr->cols];
	gth_screen_dump(&one, &b, false);
	nl = strchr(b.data, '\n');
	if (nl != NULL)
		*nl = '\0';
	snprintf(line, sizeof(line), "%s", b.data);
	gth_buf_release(&b);
	return line;
}

int
main(void)
{
	struct gth_screen *scr = gth_screen_new(4, 10);
	struct gth_buf b = GTH_BUF_INIT;
	int n;

	n = gth_screen_puts(scr, 0, 0, GTH_ROLE_NORMAL, "hello world", 10);
	is_int(n, 10, "text is clipped at the right edge");
	is_str(row_text(scr, 0), "hello worl", "the clipped row reads as the reviewer sees it");

	gth_screen_clear(scr);
	n = gth_screen_puts(scr, 0, 0, GTH_ROLE_NORMAL, "\xe6\xbc\xa2\xe5\xad\x97" "ab", 10);
	is_int(n, 6, "two CJK characters take four columns");
	is_int(gth_screen_cell(scr, 0, 1)->width, 0, "the right half of a wide character is a continuation");
	is_str(row_text(scr, 0), "\xe6\xbc\xa2\xe5\xad\x97" "ab", "wide characters dump once");

	gth_screen_clear(scr);
	n = gth_screen_puts(scr, 0, 8, GTH_ROLE_NORMAL, "a\xe6\xbc\xa2", 2);
	is_int(n, 2, "a wide character that does not fit leaves a blank, not half a glyph");
	is_str(gth_screen_cell(scr, 0, 9)->ch, " ", "the last column is blank");

	gth_screen_clear(scr);
	n = gth_screen_puts(scr, 1, 0, GTH_ROLE_NORMAL, "e\xcc\x81x", 10);
	is_int(n, 2, "a combining accent takes no column");
	is_str(gth_screen_cell(scr, 1, 0)->ch, "e\xcc\x81", "it joins the letter before it");

	gth_screen_clear(scr);
	n = gth_screen_puts(scr, 0, 0, GTH_ROLE_NORMAL, "a\tb", 10);
	is_int(n, 9, "a tab advances to column 8");

	gth_screen_clear(scr);
	gth_screen_put(scr, 0, 0, GTH_ROLE_NORMAL, "a\x1b[2Jb", 6, 10);
	is_str(row_text(scr, 0), "a?[2Jb", "a stray control byte in trusted text is drawn as ?, never sent");

	gth_screen_clear(scr);
	n = gth_screen_put_untrusted(scr, 0, 0, GTH_ROLE_NORMAL, "x\xe2\x80\xaey", 5, 0, 10, NULL);
	is_str(row_text(scr, 0), "x[U+202E]y", "a bidi override becomes a visible token");
	is_int(gth_screen_cell(scr, 0, 1)->role, GTH_ROLE_TOKEN_BIDI, "in the bidi token colour");
	is_int(gth_screen_cell(scr, 0, 0)->role, GTH_ROLE_NORMAL, "plain text keeps its role");

	gth_screen_clear(scr);
	gth_screen_put_skip(scr, 0, 0, GTH_ROLE_NORMAL, "0123456789abc", 13, 4, 10);
	is_str(row_text(scr, 0), "456789abc", "horizontal scroll skips columns");

	gth_screen_clear(scr);
	gth_screen_puts(scr, 0, 0, GTH_ROLE_DIFF_ADD, "+x", 10);
	gth_screen_mark(scr, 1, 0, 2, GTH_CELL_SELECTED);
	gth_screen_dump(scr, &b, true);
	ok(strstr(b.data, "+x\n  ") != NULL, "styled dumps put a role row under each text row");
	ok(strstr(b.data, "\n\n  ==\n") != NULL, "selected cells show as = in styled dumps");
	gth_buf_release(&b);

	gth_screen_resize(scr, 2, 3);
	gth_screen_dump(scr, &b, false);
	is_str(b.data, "\n\n", "blank rows dump as empty lines");
	gth_buf_release(&b);
	gth_screen_free(scr);
	return done_testing();
}
